// Package certs is the certificate work of the ECE web server: an RSA key,
// a self-signed certificate or a PKCS#10 request, completing that request
// with whatever the CA sent back (PEM, DER, PKCS#7, chain in any order), the
// PFX and Base-64 .cer that IIS and the ADS import, the PowerShell that binds
// the certificate in IIS without SNI, and a live probe of what a server
// really presents with and without SNI. It also holds the Java keystore work
// (javaks.go).
//
// It is domain code: it returns values, findings and typed errors. It must
// not print, prompt or read the answers file. It writes one kind of file
// itself — a Java keystore in ImportFile, because opening, changing and
// re-verifying a trust store is one operation — and does so only through
// safefile (backup, atomic replace, re-read). Every other file it produces is
// returned as bytes for the caller to write.
package certs
