-- What do projects do with the value a call returns (returned, headers set, passed on)?
select result, count(*) as uses, count(distinct project) as projects
from uses
where qualname = :qualname and kind = 'call'
group by result
order by uses desc, result
