// Node.js lines before 22.19 fail deep inside the HTTP client (undici, under @kubernetes/client-node)
// with a stack trace: say it in one line instead, before anything else is loaded.
export function requireSupportedNode() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major > 22 || (major === 22 && minor >= 19)) return
  process.stderr.write(`error: kubectl-netpol needs Node.js 22.19 or newer (this is Node.js ${process.versions.node}); the single-file executables bring their own\n`)
  process.exit(2)
}
