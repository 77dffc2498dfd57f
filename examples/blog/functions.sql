-- The blog example's mutation functions (docs/mutations.md): each takes the mutation's
-- input as jsonb (snake_case keys), validates it, writes, and returns one
-- mutation_response whose entity is the row as its view shows it. Load after
-- sql/mutation_response.sql and schema.sql; idempotent.
--
-- What the caller gets:
--   validation:invalid_input  the input is refused, `errors` says why per field; nothing written
--   not_found:post            the post to update, delete or comment on does not exist
--   created / updated / deleted, or noop:unchanged when an update changes nothing
-- A missing author is left to the foreign key: the statement fails, nothing is written,
-- and FraiseQL answers with the error code CONSTRAINT_VIOLATION.

SET client_min_messages = warning;

BEGIN;

-- A validation problem in the shape of the members' `errors`: {field, message, code}.
CREATE OR REPLACE FUNCTION fn_field_error(p_field text, p_message text, p_code text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('field', p_field, 'message', p_message, 'code', p_code)
$$;

-- True when the text is a UUID (the ids of this example).
CREATE OR REPLACE FUNCTION fn_is_uuid(p text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$$;

-- The validation member for a non-empty list of errors.
CREATE OR REPLACE FUNCTION fn_invalid(p_what text, p_errors jsonb)
RETURNS mutation_response LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW('validation:invalid_input',
             p_what || ': ' || jsonb_array_length(p_errors) || ' invalid field(s).',
             NULL, NULL, NULL, NULL, p_errors, NULL)::mutation_response
$$;

-- createPost(input: {authorId, title, content, published, tags})
CREATE OR REPLACE FUNCTION fn_create_post(input jsonb)
RETURNS mutation_response LANGUAGE plpgsql AS $$
DECLARE
  v_id     uuid := gen_random_uuid();
  v_errors jsonb := '[]';
  v_title  text := btrim(coalesce(input->>'title', ''));
  v_entity jsonb;
BEGIN
  IF NOT coalesce(fn_is_uuid(input->>'author_id'), false) THEN
    v_errors := v_errors || fn_field_error('authorId', 'must be a UUID', 'invalid');
  END IF;
  IF v_title = '' THEN
    v_errors := v_errors || fn_field_error('title', 'must not be empty', 'required');
  ELSIF length(v_title) > 200 THEN
    v_errors := v_errors || fn_field_error('title', 'must be at most 200 characters', 'too_long');
  END IF;
  IF coalesce(input->>'content', '') = '' THEN
    v_errors := v_errors || fn_field_error('content', 'must not be empty', 'required');
  END IF;
  IF jsonb_array_length(v_errors) > 0 THEN
    RETURN fn_invalid('The post was not created', v_errors);
  END IF;

  INSERT INTO tb_post (id, author_id, title, content, published, tags, word_count)
  VALUES (v_id,
          (input->>'author_id')::uuid,
          v_title,
          input->>'content',
          coalesce((input->>'published')::boolean, false),
          ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(input->'tags') = 'array'
                                                      THEN input->'tags' END)),
          array_length(regexp_split_to_array(btrim(input->>'content'), '\s+'), 1));

  SELECT data INTO v_entity FROM v_post WHERE id = v_id;
  RETURN ROW('created', 'Post created.', v_id::text, 'Post', v_entity, NULL, '[]', NULL)::mutation_response;
END;
$$;

-- updatePost(input: {id, title, content, published, tags}): only the fields given change.
CREATE OR REPLACE FUNCTION fn_update_post(input jsonb)
RETURNS mutation_response LANGUAGE plpgsql AS $$
DECLARE
  v_old     tb_post;
  v_new     tb_post;
  v_errors  jsonb := '[]';
  v_changed text[] := '{}';
  v_entity  jsonb;
BEGIN
  IF NOT coalesce(fn_is_uuid(input->>'id'), false) THEN
    RETURN fn_invalid('The post was not updated', jsonb_build_array(fn_field_error('id', 'must be a UUID', 'invalid')));
  END IF;
  SELECT * INTO v_old FROM tb_post WHERE id = (input->>'id')::uuid FOR UPDATE;
  IF NOT FOUND THEN
    RETURN ROW('not_found:post', 'No post has id ' || (input->>'id') || '.', input->>'id', 'Post',
               NULL, NULL, '[]', NULL)::mutation_response;
  END IF;

  v_new := v_old;
  IF input ? 'title' THEN
    v_new.title := btrim(coalesce(input->>'title', ''));
    IF v_new.title = '' THEN
      v_errors := v_errors || fn_field_error('title', 'must not be empty', 'required');
    ELSIF length(v_new.title) > 200 THEN
      v_errors := v_errors || fn_field_error('title', 'must be at most 200 characters', 'too_long');
    END IF;
  END IF;
  IF input ? 'content' THEN
    v_new.content := input->>'content';
    IF coalesce(v_new.content, '') = '' THEN
      v_errors := v_errors || fn_field_error('content', 'must not be empty', 'required');
    END IF;
  END IF;
  IF input ? 'published' THEN
    IF input->'published' = 'null' THEN
      v_errors := v_errors || fn_field_error('published', 'must not be null', 'required');
    ELSE
      v_new.published := (input->>'published')::boolean;
    END IF;
  END IF;
  IF input ? 'tags' THEN
    v_new.tags := ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(input->'tags') = 'array'
                                                              THEN input->'tags' END));
  END IF;
  IF jsonb_array_length(v_errors) > 0 THEN
    RETURN fn_invalid('The post was not updated', v_errors);
  END IF;

  IF v_new.title IS DISTINCT FROM v_old.title THEN v_changed := v_changed || 'title'::text; END IF;
  IF v_new.content IS DISTINCT FROM v_old.content THEN v_changed := v_changed || 'content'::text; END IF;
  IF v_new.published IS DISTINCT FROM v_old.published THEN v_changed := v_changed || 'published'::text; END IF;
  IF v_new.tags IS DISTINCT FROM v_old.tags THEN v_changed := v_changed || 'tags'::text; END IF;

  IF cardinality(v_changed) > 0 THEN
    UPDATE tb_post
       SET title = v_new.title,
           content = v_new.content,
           published = v_new.published,
           tags = v_new.tags,
           word_count = array_length(regexp_split_to_array(btrim(v_new.content), '\s+'), 1)
     WHERE id = v_old.id;
  END IF;

  SELECT data INTO v_entity FROM v_post WHERE id = v_old.id;
  RETURN ROW(CASE WHEN cardinality(v_changed) > 0 THEN 'updated' ELSE 'noop:unchanged' END,
             CASE WHEN cardinality(v_changed) > 0 THEN 'Post updated.' ELSE 'Nothing to change.' END,
             v_old.id::text, 'Post', v_entity, v_changed, '[]', NULL)::mutation_response;
END;
$$;

-- deletePost(id:): the entity is the post as it was.
CREATE OR REPLACE FUNCTION fn_delete_post(input jsonb)
RETURNS mutation_response LANGUAGE plpgsql AS $$
DECLARE
  v_entity jsonb;
BEGIN
  IF NOT coalesce(fn_is_uuid(input->>'id'), false) THEN
    RETURN fn_invalid('The post was not deleted', jsonb_build_array(fn_field_error('id', 'must be a UUID', 'invalid')));
  END IF;
  SELECT data INTO v_entity FROM v_post WHERE id = (input->>'id')::uuid;
  DELETE FROM tb_post WHERE id = (input->>'id')::uuid;
  IF NOT FOUND THEN
    RETURN ROW('not_found:post', 'No post has id ' || (input->>'id') || '.', input->>'id', 'Post',
               NULL, NULL, '[]', NULL)::mutation_response;
  END IF;
  RETURN ROW('deleted', 'Post deleted.', input->>'id', 'Post', v_entity, NULL, '[]', NULL)::mutation_response;
END;
$$;

-- createComment(input: {postId, authorId, body})
CREATE OR REPLACE FUNCTION fn_create_comment(input jsonb)
RETURNS mutation_response LANGUAGE plpgsql AS $$
DECLARE
  v_id     uuid := gen_random_uuid();
  v_errors jsonb := '[]';
  v_entity jsonb;
BEGIN
  IF NOT coalesce(fn_is_uuid(input->>'post_id'), false) THEN
    v_errors := v_errors || fn_field_error('postId', 'must be a UUID', 'invalid');
  END IF;
  IF NOT coalesce(fn_is_uuid(input->>'author_id'), false) THEN
    v_errors := v_errors || fn_field_error('authorId', 'must be a UUID', 'invalid');
  END IF;
  IF btrim(coalesce(input->>'body', '')) = '' THEN
    v_errors := v_errors || fn_field_error('body', 'must not be empty', 'required');
  ELSIF length(input->>'body') > 5000 THEN
    v_errors := v_errors || fn_field_error('body', 'must be at most 5000 characters', 'too_long');
  END IF;
  IF jsonb_array_length(v_errors) > 0 THEN
    RETURN fn_invalid('The comment was not created', v_errors);
  END IF;
  -- Share-lock the post so that it cannot be deleted before the comment commits.
  PERFORM 1 FROM tb_post WHERE id = (input->>'post_id')::uuid FOR KEY SHARE;
  IF NOT FOUND THEN
    RETURN ROW('not_found:post', 'No post has id ' || (input->>'post_id') || '.', input->>'post_id', 'Post',
               NULL, NULL, '[]', NULL)::mutation_response;
  END IF;

  INSERT INTO tb_comment (id, post_id, author_id, body)
  VALUES (v_id, (input->>'post_id')::uuid, (input->>'author_id')::uuid, input->>'body');

  SELECT data INTO v_entity FROM v_comment WHERE id = v_id;
  RETURN ROW('created', 'Comment created.', v_id::text, 'Comment', v_entity, NULL, '[]', NULL)::mutation_response;
END;
$$;

COMMIT;
