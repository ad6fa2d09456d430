export interface PageHeaderProps {
  title: string;
  subtitle?: string;
}

/** The title block at the top of a page. Presentational only. */
export function PageHeader({ title, subtitle }: PageHeaderProps) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
    </div>
  );
}
