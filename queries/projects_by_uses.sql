-- Which projects use the library the most, and how many of its names?
select
  uses.project,
  count(*) as uses,
  count(distinct uses.qualname) as names,
  count(distinct uses.path) as files
from uses
where uses.kind != 'import'
group by uses.project
order by uses desc
