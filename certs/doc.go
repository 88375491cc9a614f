// Package certs is the certificate work of the ECE web server: an RSA key,
// a self-signed certificate or a PKCS#10 request, completing that request
// with whatever the CA sent back (PEM, DER, PKCS#7, chain in any order), the
// PFX and Base-64 .cer that IIS and the ADS import, the PowerShell that binds
// the certificate in IIS without SNI, and a live probe of what a server
// really presents with and without SNI. It also holds the Java keystore work
// (javaks.go).
//
// It is pure domain: it returns values, findings and typed errors. It must
// not print, prompt, read the answers file or write files — callers decide
// where bytes go (through safefile) and how findings are shown.
package certs
