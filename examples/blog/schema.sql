-- The blog example: tables, the views FraiseQL reads, and the indexes its filters and
-- orders use. Idempotent, so it can be loaded again over a previous run.
--
-- Conventions (docs/schema.md): a view exposes `id` and a JSONB `data` column whose
-- snake_case keys are the GraphQL fields; any other column named like a key of `data`
-- must hold the same value, and FraiseQL then filters, orders and projects that field
-- from the column. A view is inlined into the compiled statement, so an expression of
-- the view that the statement does not reference is never evaluated: a query that only
-- selects columns never builds `data` at all (see README.md).

SET client_min_messages = warning;

BEGIN;

DROP VIEW IF EXISTS v_comment, v_post, v_user CASCADE;
DROP TABLE IF EXISTS tb_comment, tb_post, tb_user CASCADE;

CREATE TABLE tb_user (
  id         uuid PRIMARY KEY,
  name       text NOT NULL,
  email      text NOT NULL UNIQUE,
  bio        text,
  age        integer,
  is_active  boolean NOT NULL DEFAULT true,
  settings   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tb_post (
  id         uuid PRIMARY KEY,
  author_id  uuid NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
  title      text NOT NULL,
  content    text NOT NULL,
  published  boolean NOT NULL DEFAULT false,
  views      integer NOT NULL DEFAULT 0,
  rating     double precision,
  tags       text[] NOT NULL DEFAULT '{}',
  word_count integer,
  language   text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tb_comment (
  id         uuid PRIMARY KEY,
  post_id    uuid NOT NULL REFERENCES tb_post (id) ON DELETE CASCADE,
  author_id  uuid NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Indexes for the joins (@join columns) and the usual orders.
CREATE INDEX tb_post_author_id_created_at_idx ON tb_post (author_id, created_at);
CREATE INDEX tb_post_created_at_idx ON tb_post (created_at);
CREATE INDEX tb_comment_post_id_idx ON tb_comment (post_id);
CREATE INDEX tb_comment_author_id_idx ON tb_comment (author_id);
CREATE INDEX tb_user_created_at_idx ON tb_user (created_at);
CREATE INDEX tb_user_name_idx ON tb_user (name);

-- v_user embeds the user's posts in `data` (DESIGN §3: `posts` is an embedded field).
-- Every scalar field is also a column, so the embedded list is only built when a query
-- selects `posts` (or a field that only `data` has).
CREATE VIEW v_user AS
SELECT u.id,
       u.name,
       u.email,
       u.bio,
       u.age,
       u.is_active,
       u.settings,
       u.created_at,
       jsonb_build_object(
         'id', u.id,
         'name', u.name,
         'email', u.email,
         'bio', u.bio,
         'age', u.age,
         'is_active', u.is_active,
         'settings', u.settings,
         'created_at', u.created_at,
         'posts', coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                    'id', p.id,
                    'author_id', p.author_id,
                    'title', p.title,
                    'content', p.content,
                    'published', p.published,
                    'views', p.views,
                    'rating', p.rating,
                    'tags', to_jsonb(p.tags),
                    'metadata', jsonb_build_object('word_count', p.word_count, 'language', p.language),
                    'created_at', p.created_at)
                  ORDER BY p.created_at, p.id)
             FROM tb_post p
            WHERE p.author_id = u.id), '[]'::jsonb)
       ) AS data
  FROM tb_user u;

-- v_post is thin: its author and comments are @join fields, so they cost nothing unless
-- selected, and then one index lookup per row.
CREATE VIEW v_post AS
SELECT p.id,
       p.author_id,
       p.title,
       p.published,
       p.views,
       p.rating,
       p.created_at,
       jsonb_build_object(
         'id', p.id,
         'author_id', p.author_id,
         'title', p.title,
         'content', p.content,
         'published', p.published,
         'views', p.views,
         'rating', p.rating,
         'tags', to_jsonb(p.tags),
         'metadata', jsonb_build_object('word_count', p.word_count, 'language', p.language),
         'created_at', p.created_at
       ) AS data
  FROM tb_post p;

CREATE VIEW v_comment AS
SELECT c.id,
       c.post_id,
       c.author_id,
       c.created_at,
       jsonb_build_object(
         'id', c.id,
         'post_id', c.post_id,
         'author_id', c.author_id,
         'body', c.body,
         'created_at', c.created_at
       ) AS data
  FROM tb_comment c;

COMMIT;
