package lab

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"ccewiz/safefile"
)

// SpogConfigRel is where ECE keeps the SPOG gadget's settings, below ECE_HOME.
var SpogConfigRel = filepath.Join("eService", "templates", "finesse", "gadget", "spog", "spog_config.js")

// spogConfig is spog_config.js as ECE installs it: CRLF line endings (the
// guide warns against editors that change them) and the installer's values,
// which step 3 must replace with https and the name users type.
var spogConfig = strings.ReplaceAll(`/*
 * Copyright (c) 2019 by Cisco Systems, Inc.
 * All rights reserved.
 *
 * Settings of the Enterprise Chat and Email gadget shown in
 * Unified CCE Administration (Single Pane of Glass).
 */

// Protocol and name of the ECE web server (or load balancer) the gadget calls.
var web_server_protocol = "http";
var web_server_name = "eceweb01";

var spog_gadget_context = "/system/web/view/platform/spog";
var spog_request_timeout = 30000;

function getEceBaseUrl() {
	return web_server_protocol + "://" + web_server_name;
}
`, "\n", "\r\n")

// writeIfMissing creates path with data, leaving an existing file alone so
// a lab restarted in the same folder keeps what the admin changed.
func writeIfMissing(path string, data []byte, perm fs.FileMode) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeFile(path, data, perm)
}

// writeFile replaces path with data through a temporary file and a rename:
// the lab keeps whatever file it finds on a restart (writeIfMissing,
// loadOrMake), so a kill mid-write must leave the old file or none, never a
// truncated one it would then keep for good.
func writeFile(path string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	_, err := safefile.Replace(path, data, safefile.Options{Perm: perm, NoBackup: true})
	return err
}

// secretFile returns the password stored in path, making a random one first
// when the file does not exist (0600, in a 0700 folder).
func secretFile(path, fixed string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		if v := strings.TrimRight(string(b), "\r\n"); v != "" {
			return v, nil
		}
	}
	v := fixed
	if v == "" {
		b := make([]byte, 15)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		// AD's complexity rules want upper, lower, digits and a symbol.
		v = "Lab-" + base64.RawURLEncoding.EncodeToString(b) + "9a"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if err := writeFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("save lab password: %w", err)
	}
	return v, nil
}

// jdkCacerts finds the JDK's trust store the way an admin would: under
// JAVA_HOME, else next to the `java` on PATH (…/bin/java → …/lib/security).
func jdkCacerts() string {
	var homes []string
	if h := os.Getenv("JAVA_HOME"); h != "" {
		homes = append(homes, h)
	}
	if j, err := exec.LookPath("java"); err == nil {
		if r, err := filepath.EvalSymlinks(j); err == nil {
			homes = append(homes, filepath.Dir(filepath.Dir(r)))
		}
	}
	for _, h := range homes {
		for _, rel := range []string{"lib/security/cacerts", "jre/lib/security/cacerts"} {
			p := filepath.Join(h, filepath.FromSlash(rel))
			// Stat follows the links Debian and RHEL put there (→ /etc/ssl/certs/java/cacerts).
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// SIPPropertiesRel is a CVP Call Server's sip.properties, below the lab's
// cvp folder (C:\Cisco\CVP\conf\sip.properties on a real one).
var SIPPropertiesRel = filepath.Join("conf", "sip.properties")

// sipProperties is a Call Server's file as OAMP left it when its push of
// the Cloud Connect details failed halfway: the password it writes is
// there, encrypted (a lab placeholder), the other keys are not — and an
// admin "corrected" one of Cisco's spellings. CRLF, as on Windows.
var sipProperties = strings.ReplaceAll(`# CVP Call Server SIP service settings (written by OAMP)
SIP.Port = 5060
SIP.DefaultGateway = vgw1.example.com
SIP.Outbound.Proxy = false
SIP.CloudConnect.password = ENC:lab-placeholder-not-a-real-secret
SIP.CloudConnect.StatusApi = /evapoint/status
`, "\n", "\r\n")
