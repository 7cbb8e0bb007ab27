-- How were the uses resolved?
-- Filter by confidence: direct and re-export are the surest.
select
  resolution,
  count(*) as uses,
  count(distinct project) as projects
from uses
group by resolution
order by uses desc
