-- When was each project crawled, at which commit, and did it fail?
select project, started_at, status, substr("commit", 1, 12) as "commit", files, uses, error
from crawls
order by started_at desc, project
