import { PageHeader } from "@/components/PageHeader";

export default function OverviewPage() {
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="Effective mTLS per service edge, certificate expiry and misconfiguration findings."
      />
      <section>
        <p>The dashboard is coming. Until then, analyse manifests offline with the CLI:</p>
        <pre>
          <code>npx handshake analyze &lt;folder&gt;</code>
        </pre>
        <p>
          It prints the snapshot as JSON (or a table with <code>--format table</code>) and exits 1 when a
          finding at or above <code>--fail-on</code> (default <code>error</code>) exists.
        </p>
      </section>
    </>
  );
}
