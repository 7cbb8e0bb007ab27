-- How is a name used: called, subclassed, decorated with, read as an attribute...?
select kind, count(*) as uses, count(distinct project) as projects
from uses
where qualname = :qualname
group by kind
order by uses desc
