-- Deterministic seed: 10,000 users, 100,000 posts (10 per user), 50,000 comments.
-- Ids are md5-derived UUIDs and timestamps are offsets from a fixed instant, so every
-- load yields the same rows (benchmarks and examples can name them).

BEGIN;

TRUNCATE tb_comment, tb_post, tb_user;

INSERT INTO tb_user (id, name, email, bio, age, is_active, settings, created_at)
SELECT md5('user' || g)::uuid,
       'User ' || g,
       'user' || g || '@example.com',
       CASE WHEN g % 5 = 0 THEN NULL ELSE 'Writes about topic ' || (g % 17) END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 18 + (g % 60) END,
       g % 7 <> 0,
       jsonb_build_object('theme', CASE WHEN g % 2 = 0 THEN 'dark' ELSE 'light' END,
                          'newsletter', g % 3 = 0),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes'
  FROM generate_series(1, 10000) AS g;

INSERT INTO tb_post (id, author_id, title, content, published, views, rating, tags, word_count, language,
                     created_at)
SELECT md5('post' || g)::uuid,
       md5('user' || (1 + (g - 1) / 10))::uuid,
       'Post ' || g || ' on topic ' || (g % 23),
       'Content of post ' || g || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + g % 4),
       g % 4 <> 0,
       (g * 7919) % 5000,
       CASE WHEN g % 9 = 0 THEN NULL ELSE ((g * 31) % 50) / 10.0 END,
       ARRAY['topic' || (g % 23), CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END],
       100 + (g * 13) % 900,
       CASE g % 3 WHEN 0 THEN 'en' WHEN 1 THEN 'fr' ELSE 'de' END,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '4 minutes'
  FROM generate_series(1, 100000) AS g;

INSERT INTO tb_comment (id, post_id, author_id, body, created_at)
SELECT md5('comment' || g)::uuid,
       md5('post' || (1 + (g * 2) % 100000))::uuid,
       md5('user' || (1 + (g * 7) % 10000))::uuid,
       'Comment ' || g,
       timestamptz '2024-06-01 00:00:00+00' + g * interval '3 minutes'
  FROM generate_series(1, 50000) AS g;

COMMIT;

ANALYZE tb_user;
ANALYZE tb_post;
ANALYZE tb_comment;
