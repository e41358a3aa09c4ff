/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The local release target (lib/release) serves each colour from its own copy of the
  // build; everywhere else this is Next's default.
  distDir: process.env.KOEPON_DIST_DIR || ".next",
  // Loaded with Node's own require instead of being bundled: PGlite reads its wasm and
  // data files from its package folder and must exist once per process, pg has optional
  // native bindings, bcrypt is a native addon.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "bcrypt", "sharp"],
  // With middleware present, Next buffers request bodies up to this size and cuts off
  // the rest (10 MB by default). The local storage's upload route takes files up to the
  // video limit (500 MiB, lib/vtuber/media-rules.ts); production uploads go straight to
  // Supabase Storage and never pass here. The upload route also refuses a body shorter
  // than its Content-Length.
  experimental: { proxyClientMaxBodySize: "501mb" },
  // Pins the workspace root, so a lockfile in a parent folder cannot change what is traced.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
  // Skew protection for prebuilt deploys (`vercel build` in CI, then `vercel deploy
  // --prebuilt`): browsers keep talking to the deployment that served their page. Vercel
  // sets NEXT_DEPLOYMENT_ID itself when it builds, and Next uses that instead.
  deploymentId: process.env.NEXT_DEPLOYMENT_ID ? undefined : process.env.KOEPON_DEPLOYMENT_ID || undefined,
};

export default nextConfig;
