-- The result type of FraiseQL mutation functions (DESIGN §3, docs/mutations.md).
--
-- A Mutation field with @function(name: "fn_x") calls `fn_x(input jsonb)`, which returns
-- one mutation_response. Its status selects the member of the field's result union:
--
--   success, created, updated, deleted, noop:*                      -> the @success type
--   validation:*, not_found:*, conflict:*, unauthorized:*, failed:* -> the @error type,
--                                                      whose `code` is the prefix in upper case
--
-- Load it once per database, before the functions that return it. Idempotent: an
-- existing type is kept (functions depend on it; dropping it would drop them).

SET client_min_messages = warning;

DO $$
BEGIN
  IF to_regtype('mutation_response') IS NULL THEN
    CREATE TYPE mutation_response AS (
      status         text,     -- selects the member, e.g. 'created' or 'validation:title'
      message        text,     -- for people: shown as the member's `message`
      entity_id      text,     -- the id of the row the mutation touched
      entity_type    text,     -- the GraphQL type of `entity`, e.g. 'Post'
      entity         jsonb,    -- the row as its view's `data`: the success type's object field
      updated_fields text[],   -- the input fields an update changed
      errors         jsonb,    -- a JSON array of {field, message, code}: the member's `errors`
      metadata       jsonb     -- anything else; other fields of the members read their key here
    );
  END IF;
END
$$;
