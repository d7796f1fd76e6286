// Start Swagger UI on the app's own OpenAPI schema (kept out of the page: the CSP forbids inline
// scripts). "Try it out" rides on the browser session, so it echoes the CSRF cookie as a header.
function csrfToken() {
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
