-- Which public names are used by the most projects?
select
  targets.qualname,
  targets.kind,
  count(distinct uses.project) as projects,
  count(*) as uses
from targets
join uses on uses.qualname = targets.qualname and uses.kind != 'import'
group by targets.qualname
order by projects desc, uses desc, targets.qualname
