-- Which files hold the most uses, and of how many different names?
select
  uses.project,
  uses.path,
  count(*) as uses,
  count(distinct uses.qualname) as names
from uses
where uses.kind != 'import'
group by uses.project, uses.path
order by uses desc, names desc
limit 50
