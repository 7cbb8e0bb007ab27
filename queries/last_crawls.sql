-- What did the last crawl of each project do: what is shown, and why did it fail?
select c.project, c.status, c.source, c.finished_at, c.files, c.uses,
       coalesce(p.release, substr(p.commit_sha, 1, 12)) as shown, c.error, c.note
from crawls as c
join (select project, max(id) as id from crawls group by project) as last on last.id = c.id
left join projects as p on p.name = c.project
order by c.status = 'ok', c.project collate nocase
