-- Which files could not be parsed, and why?
-- (Python 2 code, syntax errors, undecodable bytes.)
select project, path, error
from files
where status = 'unparsable'
order by project, path
