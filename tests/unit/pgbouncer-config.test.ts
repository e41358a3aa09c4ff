/** The private PgBouncer CI runs the suite through: transaction pooling, as Supabase's pooler. */
import { describe, expect, it } from "vitest";
import { pgbouncerConfig } from "@/scripts/pgbouncer/pgbouncer";

const setting = (ini: string, name: string) => new RegExp(`^${name} = ?(.*)$`, "m").exec(ini)?.[1];

describe("pgbouncerConfig", () => {
  const { ini, userlist } = pgbouncerConfig(
    { port: 41001, upstream: "postgres://koepon@db.internal:6000/test?sslmode=disable", poolSize: 12 },
    "/tmp/pgb",
  );

  it("pools per transaction, takes many clients on few server connections, on its own port only", () => {
    expect(setting(ini, "pool_mode")).toBe("transaction");
    expect(Number(setting(ini, "max_client_conn"))).toBeGreaterThanOrEqual(500);
    expect(setting(ini, "default_pool_size")).toBe("12");
    expect(setting(ini, "listen_addr")).toBe("127.0.0.1");
    expect(setting(ini, "listen_port")).toBe("41001");
    expect(setting(ini, "unix_socket_dir")).toBe("");
  });

  it("forwards any database to the upstream server and trusts the upstream's user", () => {
    expect(setting(ini, "\\*")).toBe("host=db.internal port=6000");
    expect(setting(ini, "auth_type")).toBe("trust");
    expect(setting(ini, "auth_file")).toBe("/tmp/pgb/userlist.txt");
    expect(userlist).toBe('"koepon" ""\n');
  });

  it("defaults to 20 server connections and the postgres user on port 5432", () => {
    const defaults = pgbouncerConfig({ port: 6432, upstream: "postgres://127.0.0.1/test" }, "/tmp/x").ini;
    expect(setting(defaults, "default_pool_size")).toBe("20");
    expect(setting(defaults, "\\*")).toBe("host=127.0.0.1 port=5432");
    expect(pgbouncerConfig({ port: 6432, upstream: "postgres://127.0.0.1/test" }, "/tmp/x").userlist).toBe(
      '"postgres" ""\n',
    );
  });
});
