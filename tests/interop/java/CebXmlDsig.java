// SPDX-License-Identifier: MIT
//
// The JDK's own XML signature implementation (javax.xml.crypto.dsig) as a second,
// independent party for tests/e2e/interop_java.sh. Compiled with javac at test time.
//
//   java CebXmlDsig verify FILE CERT
//       Verify the one ds:Signature of FILE with the public key of CERT (PEM or DER),
//       whatever KeyInfo says. Secure validation is switched off for rsa-sha1 only:
//       Java 17 refuses SHA-1 with it on (security.md, "Interoperability notes").
//       Exit 0 valid, 1 invalid, 2 usage or I/O error.
//   java CebXmlDsig verify-secure FILE CERT
//       The same with secure validation on whatever the algorithm (the JDK's default),
//       to show that the switch above is still needed.
//   java CebXmlDsig verify-each CERT FILE...
//       verify of every FILE in one JVM, one line "FILE VALID|INVALID" each; exit 0 when
//       all are valid, 1 otherwise.
//   java CebXmlDsig sign IN KEY.pk8 CERT OUT rsa-sha1|rsa-sha256 [export]
//       Enveloped signature of the whole document (Reference URI="", inclusive C14N 1.0)
//       as the last child of the root (with "export": before the root's ceb:ExtendMessage
//       if it has one, ceb-export-spec §5), with KeyInfo = KeyName (certificate serial,
//       lowercase hex, zero-padded to whole bytes) + X509Data (the certificate). The
//       document is written with the JDK's default serializer, which keeps the CR of the
//       base64 line breaks as "&#13;".
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Iterator;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.crypto.MarshalException;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public final class CebXmlDsig {
	private static final String DS = XMLSignature.XMLNS;
	private static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
	private static final String SECURE = "org.jcp.xml.dsig.secureValidation";
	private static final String CEB = "http://www.chinaport.gov.cn/ceb";

	private CebXmlDsig() {
	}

	public static void main(String[] args) {
		int rc;

		try {
			if (args.length == 3 && args[0].equals("verify")) {
				rc = verify(args[1], args[2], false);
			} else if (args.length == 3 && args[0].equals("verify-secure")) {
				rc = verify(args[1], args[2], true);
			} else if (args.length >= 3 && args[0].equals("verify-each")) {
				rc = verifyEach(args);
			} else if (args.length == 6 && args[0].equals("sign")) {
				rc = sign(args[1], args[2], args[3], args[4], args[5], false);
			} else if (args.length == 7 && args[0].equals("sign") && args[6].equals("export")) {
				rc = sign(args[1], args[2], args[3], args[4], args[5], true);
			} else {
				System.err.println("usage: CebXmlDsig verify|verify-secure FILE CERT\n"
						   + "       CebXmlDsig verify-each CERT FILE...\n"
						   + "       CebXmlDsig sign IN KEY.pk8 CERT OUT rsa-sha1|rsa-sha256 [export]");
				rc = 2;
			}
		} catch (Exception e) {
			System.err.println("CebXmlDsig: " + e);
			rc = 2;
		}
		System.exit(rc);
	}

	/** A namespace-aware parser without DTDs or external entities. */
	private static Document parse(String path) throws Exception {
		DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();

		f.setNamespaceAware(true);
		f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
		f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		f.setExpandEntityReferences(false);
		try (InputStream in = new FileInputStream(path)) {
			return f.newDocumentBuilder().parse(in);
		}
	}

	private static X509Certificate certificate(String path) throws Exception {
		try (InputStream in = new FileInputStream(path)) {
			return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	private static Element child(Element parent, String name) {
		NodeList l = parent.getElementsByTagNameNS(DS, name);

		return l.getLength() > 0 ? (Element) l.item(0) : null;
	}

	private static int verify(String file, String certPath, boolean alwaysSecure) throws Exception {
		Document doc = parse(file);
		X509Certificate cert = certificate(certPath);
		NodeList sigs = doc.getElementsByTagNameNS(DS, "Signature");

		if (sigs.getLength() != 1) {
			System.out.println("INVALID: " + sigs.getLength() + " ds:Signature elements");
			return 1;
		}
		Element sig = (Element) sigs.item(0);
		Element sm = child(sig, "SignatureMethod");
		String alg = sm != null ? sm.getAttribute("Algorithm") : "";
		boolean sha1 = alg.equals(SignatureMethod.RSA_SHA1);
		boolean secure = alwaysSecure || !sha1;

		if (!sha1 && !alg.equals(RSA_SHA256)) {
			System.out.println("INVALID: unexpected SignatureMethod " + alg);
			return 1;
		}
		DOMValidateContext ctx = new DOMValidateContext(cert.getPublicKey(), sig);
		// Must be set before unmarshalling: the algorithm check happens there.
		ctx.setProperty(SECURE, secure ? Boolean.TRUE : Boolean.FALSE);
		XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
		try {
			XMLSignature s = fac.unmarshalXMLSignature(ctx);
			boolean valid = s.validate(ctx);
			boolean value = s.getSignatureValue().validate(ctx);

			System.out.println("secureValidation " + (secure ? "on" : "off") + ", " + alg);
			System.out.println("SignatureValue " + (value ? "ok" : "FAIL"));
			for (Iterator<?> i = s.getSignedInfo().getReferences().iterator(); i.hasNext();) {
				Reference r = (Reference) i.next();
				System.out.println("Reference URI=\"" + r.getURI() + "\" "
						   + (r.validate(ctx) ? "ok" : "FAIL"));
			}
			System.out.println(valid ? "VALID" : "INVALID");
			return valid ? 0 : 1;
		} catch (MarshalException | XMLSignatureException e) {
			System.out.println("INVALID: " + e);
			return 1;
		}
	}

	/** verify-each CERT FILE...: the verify above for each file, a result line each. */
	private static int verifyEach(String[] args) throws Exception {
		int rc = 0;

		for (int i = 2; i < args.length; i++) {
			int one = verify(args[i], args[1], false);

			System.out.println(args[i] + " " + (one == 0 ? "VALID" : "INVALID"));
			if (one != 0)
				rc = 1;
		}
		return rc;
	}

	/** The root's ceb:ExtendMessage child, or null. */
	private static Element extendMessage(Element root) {
		for (org.w3c.dom.Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
			if (n instanceof Element && "ExtendMessage".equals(n.getLocalName())
			    && CEB.equals(n.getNamespaceURI()))
				return (Element) n;
		}
		return null;
	}

	/** The serial as KeyName: lowercase hex, zero-padded to whole bytes (ceb-spec §6.3). */
	private static String keyName(X509Certificate cert) {
		String hex = cert.getSerialNumber().toString(16);

		return hex.length() % 2 == 1 ? "0" + hex : hex;
	}

	private static int sign(String in, String keyPath, String certPath, String out, String alg,
				boolean export) throws Exception {
		String sm, dm;

		if (alg.equals("rsa-sha1")) {
			sm = SignatureMethod.RSA_SHA1;
			dm = DigestMethod.SHA1;
		} else if (alg.equals("rsa-sha256")) {
			sm = RSA_SHA256;
			dm = DigestMethod.SHA256;
		} else {
			System.err.println("CebXmlDsig: unknown algorithm " + alg);
			return 2;
		}
		Document doc = parse(in);
		X509Certificate cert = certificate(certPath);
		PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(
			new PKCS8EncodedKeySpec(Files.readAllBytes(Paths.get(keyPath))));
		XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
		Reference ref = fac.newReference("", fac.newDigestMethod(dm, null),
						 List.of(fac.newTransform(Transform.ENVELOPED,
									  (TransformParameterSpec) null)),
						 null, null);
		SignedInfo si = fac.newSignedInfo(
			fac.newCanonicalizationMethod(CanonicalizationMethod.INCLUSIVE,
						      (C14NMethodParameterSpec) null),
			fac.newSignatureMethod(sm, null), List.of(ref));
		KeyInfoFactory kif = fac.getKeyInfoFactory();
		KeyInfo ki = kif.newKeyInfo(List.of(kif.newKeyName(keyName(cert)),
						    kif.newX509Data(List.of(cert))));
		// Appended to the root: the last child, as import declarations want (ceb-spec §6.2);
		// an export declaration's goes before its ExtendMessage (ceb-export-spec §5).
		Element root = doc.getDocumentElement();
		Element ext = export ? extendMessage(root) : null;
		DOMSignContext ctx = ext != null ? new DOMSignContext(key, root, ext)
						 : new DOMSignContext(key, root);

		ctx.setDefaultNamespacePrefix("ds");
		fac.newXMLSignature(si, ki).sign(ctx);
		Transformer t = TransformerFactory.newInstance().newTransformer();
		t.transform(new DOMSource(doc), new StreamResult(new File(out)));
		return 0;
	}
}
