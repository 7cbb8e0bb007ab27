-- Which projects call make_response with a status code (an int after the body)?
select project, path, line, shape, trim(line_text) as code
from uses
where qualname = 'flask.helpers.make_response'
  and kind = 'call'
  and shape glob 'make_response(*, int*'
order by project, path, line
