// A finding's fix, when its rule gives one. The findings tab and the edge panel style it differently
// (a shaded box in the list, a plain line in the already shaded side panel), hence the class.
export function FindingFix({ fix, className }: { fix: string | undefined; className: string }) {
  return fix ? (
    <p className={className}>
      <strong>Fix:</strong> {fix}
    </p>
  ) : null;
}
