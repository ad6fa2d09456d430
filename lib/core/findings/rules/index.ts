// Every rule, in catalogue order. Adding a rule = one function here + one catalogue entry.
import type { Rule } from "../context";
import * as access from "./access";
import * as cert from "./certificates";
import * as cmStatus from "./certManagerStatus";
import * as dr from "./destinationRule";
import * as edges from "./edges";
import { inputInvalid } from "./input";
import * as other from "./otherMeshes";
import * as pa from "./peerAuthentication";
import * as wl from "./workloads";

export const RULES: Rule[] = [
  pa.paConflict,
  pa.paSelectorMatchesNothing,
  pa.paRootSelectorIgnored,
  pa.paPortLevelWithoutSelector,
  pa.paPortNotOnWorkload,
  pa.paNoProxy,
  pa.paDisable,
  pa.paPermissive,
  pa.paAmbientDisableIgnored,
  pa.meshNoStrict,
  dr.drTlsWithoutMode,
  dr.drPortSettingsDropTls,
  dr.drMutualMissingCerts,
  dr.drCredentialNamePlaintext,
  dr.drInsecureSkipVerify,
  dr.drNonIstioTlsToMesh,
  dr.drHostNotFound,
  dr.drDuplicateHost,
  dr.drShadowed,
  dr.drSubsetOnlyTls,
  edges.edgePlaintextToStrict,
  edges.edgeMtlsToNoProxy,
  edges.edgeMtlsToDisable,
  edges.edgeAutoMtlsNamespaceDisable,
  edges.edgeTlsMismatch,
  edges.edgePlaintext,
  edges.edgeObservedMismatch,
  edges.edgePassthrough,
  wl.workloadNoProxy,
  wl.workloadTlsModeWithoutProxy,
  wl.workloadCaptureExcludedPort,
  wl.namespaceNotInjected,
  cert.certExpired,
  cert.certNotYetValid,
  cert.certExpiring,
  cert.certRotationOverdue,
  cert.certLifetimeTooLong,
  cert.certChainInvalid,
  cert.certRootMismatch,
  cert.certOutlivesIssuer,
  cert.certSelfSignedLeaf,
  cert.certIdentityMismatch,
  cert.certTrustDomainMismatch,
  cert.certWeakCrypto,
  cert.certMissingMtlsUsage,
  cert.certInvalid,
  cmStatus.certExpiredByStatus,
  cmStatus.certExpiringByStatus,
  cmStatus.certRotationOverdueByStatus,
  other.certmanagerNotReady,
  other.certmanagerRenewBeforeTooLarge,
  other.certmanagerSelfSignedIssuer,
  other.linkerdSkipPort,
  other.linkerdUnauthenticatedDefault,
  other.linkerdStaleTrustBundle,
  other.spireSvidTtlTooLong,
  access.accessForbidden,
  access.accessProxyUnreachable,
  inputInvalid,
];
