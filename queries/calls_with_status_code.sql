-- Which projects call make_response with a status code (an integer literal as an argument)?
select project, path, line, trim(line_text) as code
from uses
where qualname = 'flask.helpers.make_response'
  and kind = 'call'
  and line_text glob '*make_response(*,*[0-9][0-9][0-9]*'
order by project, path, line
