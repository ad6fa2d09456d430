"use client";
// Re-renders a server page (the embed, the overview while a cluster is being read) from a fresh snapshot every `seconds` (router.refresh re-runs the server
// component; no client fetch code). It renders nothing; the page says when its data was read.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter();
  useEffect(() => {
    const id = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(id);
  }, [router, seconds]);
  return null;
}
