-- Which files are the best candidate examples for a name, and why (every score part)?
select project, path, total, conciseness, definition, self_contained, typicality,
       source_kind, project_signals, source_label, excerpt_lines, shapes
from candidates
where qualname = :qualname
order by total desc
limit 20
