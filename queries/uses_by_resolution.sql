-- How were the uses resolved?
-- Filter by confidence: direct and re-export are the surest. 'foreign' counts other
-- libraries' names imported through the library's modules (foreign_names: no page).
select resolution, uses, projects from (
  select resolution, count(*) as uses, count(distinct project) as projects
  from uses
  group by resolution
  union all
  select 'foreign', count(*), count(distinct project)
  from foreign_names
  having count(*) > 0
)
order by uses desc
