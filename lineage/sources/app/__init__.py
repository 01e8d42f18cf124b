"""Application table definitions, read statically (nothing is imported or executed): SQL
migrations and schema dumps, Django and SQLAlchemy models, Prisma schemas, Rails schema.rb.
They become the roots of the lineage, bound to the warehouse sources that ingest them."""
