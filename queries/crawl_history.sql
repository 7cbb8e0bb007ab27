-- When was each project crawled, at which commit, and did it fail?
select project, started_at, status, substr(commit_sha, 1, 12) as commit_sha, files, uses, error
from crawls
order by started_at desc, project
