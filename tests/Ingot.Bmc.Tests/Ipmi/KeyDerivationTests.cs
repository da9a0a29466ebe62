using System.Buffers.Binary;
using System.Security.Cryptography;
using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>Known-answer checks: the expected values are built here, straight from the IPMI 2.0 §13.31–13.32 formulas
/// with the BCL's HMAC, not by calling the code under test twice.</summary>
public sealed class KeyDerivationTests
{
    private static readonly byte[] Password = "password"u8.ToArray();
    private static readonly byte[] User = "admin"u8.ToArray();
    private static readonly byte[] Rm = [.. Enumerable.Range(0, 16).Select(i => (byte)(0x10 + i))];
    private static readonly byte[] Rc = [.. Enumerable.Range(0, 16).Select(i => (byte)(0xA0 + i))];
    private static readonly byte[] Guid = Convert.FromHexString("a1b2c3d4e5f60718293a4b5c6d7e0001");
    private const uint ConsoleSid = 0x11223344, BmcSid = 0x0BADBEEF;
    private const byte Role = 0x14;

    public static TheoryData<int> Suites => [3, 17];

    private static byte[] Hmac(int suite, byte[] key, params byte[][] parts)
    {
        var data = parts.SelectMany(p => p).ToArray();
        return suite == 17 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);
    }

    private static byte[] Le(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] NameField => [(byte)User.Length, .. User];

    [Theory, MemberData(nameof(Suites))]
    public void SessionKeys_FollowTheSpecFormulas(int id)
    {
        var suite = CipherSuite.Find(id)!;
        var keys = SessionKeys.Derive(suite, Password, Rm, Rc, Role, User);
        var sik = Hmac(id, Password, Rm, Rc, [Role], NameField);
        var width = 20; // Const 1 and 2 are 20 bytes for SHA256 too, as ipmitool and FreeIPMI use them
        Assert.Equal(sik, keys.Sik);
        Assert.Equal(Hmac(id, sik, Enumerable.Repeat((byte)1, width).ToArray()), keys.K1);
        Assert.Equal(Hmac(id, sik, Enumerable.Repeat((byte)2, width).ToArray()), keys.K2);
    }

    [Fact]
    public void PasswordPaddedWithZerosTo20Bytes_GivesTheSameKeys()
    {
        // The spec pads KUID to 20 bytes; HMAC pads keys with zeros anyway, so both must agree.
        var padded = new byte[20];
        Password.CopyTo(padded, 0);
        var a = SessionKeys.Derive(CipherSuite.Suite3, Password, Rm, Rc, Role, User);
        var b = SessionKeys.Derive(CipherSuite.Suite3, padded, Rm, Rc, Role, User);
        Assert.Equal(a.Sik, b.Sik);
    }

    [Theory, MemberData(nameof(Suites))]
    public void Rakp2AuthCode_FollowsTheSpecFormula(int id)
    {
        var expected = Hmac(id, Password, Le(ConsoleSid), Le(BmcSid), Rm, Rc, Guid, [Role], NameField);
        Assert.Equal(expected, Rakp.Rakp2AuthCode(CipherSuite.Find(id)!, Password, ConsoleSid, BmcSid, Rm, Rc, Guid, Role, User));
    }

    [Theory, MemberData(nameof(Suites))]
    public void Rakp3AuthCode_FollowsTheSpecFormula(int id)
    {
        var expected = Hmac(id, Password, Rc, Le(ConsoleSid), [Role], NameField);
        Assert.Equal(expected, Rakp.Rakp3AuthCode(CipherSuite.Find(id)!, Password, Rc, ConsoleSid, Role, User));
    }

    [Theory, MemberData(nameof(Suites))]
    public void Rakp4IntegrityCheck_IsTheTruncatedSikHmac(int id)
    {
        var sik = Hmac(id, Password, Rm, Rc, [Role], NameField);
        var full = Hmac(id, sik, Rm, Le(BmcSid), Guid);
        var icv = Rakp.Rakp4IntegrityCheck(CipherSuite.Find(id)!, sik, Rm, BmcSid, Guid);
        Assert.Equal(full[..(id == 17 ? 16 : 12)], icv);
    }

    [Theory]
    [InlineData(3, "c4f3bba158b221c35e1f9a4c5f039176951c549c", "632decb5604a8659aef98c937073929cdf917688")]
    [InlineData(17, "4a7909114faf079b477fe33cdbb3ec579073e1eb2622573ec85beec3fdbd78ed",
                    "c4631d4142848917d85eecab39838f069a54097965adc0744ce0cc95a92584ef")] // K1 = HMAC-SHA256(SIK, 0x01 x 20)
    public void SikAndK1_MatchValuesComputedWithPython(int id, string sik, string k1)
    {
        // Computed outside .NET (python3 hmac/hashlib) from the same inputs, as a third opinion on the formula.
        var keys = SessionKeys.Derive(CipherSuite.Find(id)!, Password, Rm, Rc, Role, User);
        Assert.Equal(sik, Convert.ToHexStringLower(keys.Sik));
        Assert.Equal(k1, Convert.ToHexStringLower(keys.K1));
    }
}
