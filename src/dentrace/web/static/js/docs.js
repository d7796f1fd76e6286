// Start Swagger UI on the app's own OpenAPI schema (kept out of the page: the CSP forbids inline
// scripts). "Try it out" rides on the browser session, so it sends the session's CSRF token (from
// the page, else the cookie) as a header.
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const found = document.cookie.split("; ").find((part) => part.startsWith("dentrace_csrf="));
  return found ? decodeURIComponent(found.slice("dentrace_csrf=".length)) : "";
}

window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  requestInterceptor: (request) => {
    request.headers["X-CSRF-Token"] = csrfToken();
    return request;
  },
});
