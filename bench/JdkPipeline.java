// SPDX-License-Identifier: MIT
//
// A JDK javax.xml.crypto.dsig pipeline over many files in one JVM, for the
// side-by-side table of BENCHMARKS.md (bench/side_by_side.sh): what a Java
// signer or verifier of CEB messages does with the JDK alone, the key loaded once.
//
//   java JdkPipeline sign KEY.pk8 CERT OUTDIR FILE...   rsa-sha256, enveloped, URI="",
//                                                       inclusive C14N, KeyName + X509Data
//   java JdkPipeline verify CERT FILE...                the one ds:Signature of each FILE
//
// Per file: a namespace-aware DOM parse (no DTDs), sign or validate, and for
// sign the document written with the JDK's serializer. Prints
// "files N ok M cpu_s S" (CPU of the whole process: JIT and GC threads
// included) on stdout; exit 0 when every file signed or verified.
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

public final class JdkPipeline {
	private static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

	private JdkPipeline() {
	}

	private static DocumentBuilder builder() throws Exception {
		DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();

		f.setNamespaceAware(true);
		f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
		f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		f.setExpandEntityReferences(false);
		return f.newDocumentBuilder();
	}

	private static X509Certificate certificate(String path) throws Exception {
		try (InputStream in = new FileInputStream(path)) {
			return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	private static int sign(String[] args) throws Exception {
		PrivateKey key = KeyFactory.getInstance("RSA")
			.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Paths.get(args[1]))));
		X509Certificate cert = certificate(args[2]);
		XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
		DocumentBuilder db = builder();
		Transformer out = TransformerFactory.newInstance().newTransformer();
		KeyInfoFactory kif = fac.getKeyInfoFactory();
		String serial = cert.getSerialNumber().toString(16);
		// KeyName: the serial in lowercase hex, whole bytes (ceb-spec §6.3).
		KeyInfo ki = kif.newKeyInfo(Arrays.asList(kif.newKeyName(serial.length() % 2 == 1 ? "0" + serial : serial),
							  kif.newX509Data(List.of(cert))));
		int ok = 0;

		for (int i = 4; i < args.length; i++) {
			Document doc = db.parse(new File(args[i]));
			// A Reference keeps its digest, a transform its document: new ones per document.
			List<Transform> tr = List.of(fac.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null));
			Reference ref = fac.newReference("", fac.newDigestMethod(DigestMethod.SHA256, null), tr, null, null);
			SignedInfo si = fac.newSignedInfo(
				fac.newCanonicalizationMethod(CanonicalizationMethod.INCLUSIVE, (C14NMethodParameterSpec) null),
				fac.newSignatureMethod(RSA_SHA256, null), List.of(ref));

			fac.newXMLSignature(si, ki).sign(new DOMSignContext(key, doc.getDocumentElement()));
			out.transform(new DOMSource(doc),
				      new StreamResult(new File(args[3], new File(args[i]).getName())));
			ok++;
		}
		return ok;
	}

	private static int verify(String[] args) throws Exception {
		PublicKey key = certificate(args[1]).getPublicKey();
		XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
		DocumentBuilder db = builder();
		int ok = 0;

		for (int i = 2; i < args.length; i++) {
			Document doc = db.parse(new File(args[i]));
			NodeList sigs = doc.getElementsByTagNameNS(XMLSignature.XMLNS, "Signature");

			if (sigs.getLength() != 1)
				continue;
			DOMValidateContext ctx = new DOMValidateContext(key, sigs.item(0));
			if (fac.unmarshalXMLSignature(ctx).validate(ctx))
				ok++;
		}
		return ok;
	}

	public static void main(String[] args) throws Exception {
		boolean sign = args.length >= 5 && args[0].equals("sign");
		boolean verify = args.length >= 3 && args[0].equals("verify");

		if (!sign && !verify) {
			System.err.println("usage: JdkPipeline sign KEY.pk8 CERT OUTDIR FILE...\n"
					   + "       JdkPipeline verify CERT FILE...");
			System.exit(2);
		}
		int n = args.length - (sign ? 4 : 2);
		int ok = sign ? sign(args) : verify(args);
		long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();

		System.out.printf("files %d ok %d cpu_s %.3f%n", n, ok, cpu / 1e9);
		System.exit(ok == n ? 0 : 1);
	}
}
