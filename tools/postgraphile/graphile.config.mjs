// PostGraphile v5 serving the blog example (examples/blog/schema.sql) for bench/read/run.sh:
// the stock Amber preset over schema public, no smart tags, no custom inflection. The
// foreign key tb_post.author_id gives TbUser.tbPostsByAuthorId; the v_* views (FraiseQL's)
// are exposed too but no benched query touches them.
//
//   DATABASE_URL  the database (required)
//   HOST, PORT    where to listen (127.0.0.1, 5678)
//   PG_POOL_MAX   pg pool size (20, FraiseQL's primary pool size)
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

if (!process.env.DATABASE_URL) {
  throw new Error("graphile.config.mjs: DATABASE_URL is not set");
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      pubsub: false,
      poolConfig: { max: Number(process.env.PG_POOL_MAX ?? 20) },
    }),
  ],
  grafserv: {
    host: process.env.HOST ?? "127.0.0.1",
    port: Number(process.env.PORT ?? 5678),
    graphiql: false,
    watch: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
