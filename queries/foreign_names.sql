-- Which other libraries' names do projects import through the library's modules?
-- (`from flask.signals import Namespace` is blinker's Namespace: no page, recorded here.)
select name, origin, count(*) as uses, count(distinct project) as projects,
       group_concat(distinct project) as in_projects
from foreign_names
group by name, origin
order by uses desc, name
