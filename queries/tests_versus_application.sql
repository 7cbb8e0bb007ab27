-- How many uses are in test code and how many in application code, per project?
select
  project,
  sum(case when is_test then 1 else 0 end) as in_tests,
  sum(case when is_test then 0 else 1 end) as in_application
from (
  select
    project,
    (path like 'test%' or path like '%/test%' or path like '%_test.py' or path like '%conftest.py')
      as is_test
  from uses
  where kind != 'import'
)
group by project
order by project
