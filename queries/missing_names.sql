-- Which projects use library names that the analysed version no longer has?
select name, count(*) as uses, count(distinct project) as projects,
       group_concat(distinct project) as in_projects
from missing_names
group by name
order by uses desc, name
