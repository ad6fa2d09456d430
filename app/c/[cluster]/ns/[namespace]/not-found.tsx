export default function NamespaceNotFound() {
  return (
    <div className="notice" role="alert" data-testid="not-found">
      <h1>Not found</h1>
      <p>
        This cluster or namespace is not known to the dashboard.{" "}
        <a href="/">See every cluster and namespace</a>.
      </p>
    </div>
  );
}
