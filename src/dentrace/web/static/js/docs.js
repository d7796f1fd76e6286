// Start Swagger UI on the app's own OpenAPI schema (kept out of the page: the CSP forbids inline scripts).
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
});
