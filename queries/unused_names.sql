-- Which public names of the library does no project in the corpus use?
select targets.qualname, targets.kind
from targets
where not exists (select 1 from uses where uses.qualname = targets.qualname)
order by targets.module, targets.name
