namespace Ingot.Bmc.Redfish;

/// <summary>The BMC's TLS certificate could not be verified (self-signed, expired, wrong name). Not
/// transient: retrying meets the same certificate. The fix is a trusted certificate on the BMC, or the
/// explicit per-BMC opt-out <see cref="BmcTarget.InsecureTls"/>.</summary>
public sealed class BmcCertificateException(string bmc, string message, Exception? inner = null) : BmcException(bmc, message, inner)
{
    public override bool IsTransient => false;
}
