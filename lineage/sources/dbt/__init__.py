"""dbt projects read from their files alone: no dbt install, no warehouse.

Data flow: `project` (dbt_project.yml, packages) and `properties` (YAML files) and `files`
(models, seeds, snapshots, macros) load a `DbtProject`; `lineage.render` renders each node's
Jinja in a sandbox; `lineage.dbt_build` feeds the rendered SQL to the engine in dependency
order and names relations by dbt unique id.
"""
