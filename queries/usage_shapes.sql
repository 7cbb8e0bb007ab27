-- How is a name called: its usage shapes, with uses and projects?
select shape, count(*) as uses, count(distinct project) as projects
from uses
where qualname = :qualname and kind != 'import'
group by shape
order by uses desc, projects desc, shape
