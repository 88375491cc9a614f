package certs

import (
	"strings"
	"testing"
)

func TestIISScript(t *testing.T) {
	const thumb = "0123456789abcdef0123456789ABCDEF01234567"
	cases := []struct {
		name string
		b    IISBinding
		want []string
		err  string
	}{
		{"passthrough with PFX", IISBinding{Host: "web1.example.com", Name: "ece.example.com", Thumbprint: thumb, Subject: "CN=ece.example.com", PFXFile: "ece.example.com.pfx"},
			[]string{"$site = 'Default Web Site'", "$thumbprint = '0123456789ABCDEF0123456789ABCDEF01234567'",
				"New-WebBinding -Name $site -Protocol https -IPAddress '*' -Port $port -HostHeader '' -SslFlags 0",
				"Join-Path $PSScriptRoot 'ece.example.com.pfx'", "Import-PfxCertificate", "$b | Remove-WebBinding",
				"IIS:\\SslBindings\\!$port!$hostHeader", "[switch]$CheckOnly", "#Requires -RunAsAdministrator",
				"iis-binding-web1.example.com.ps1", "cert probe --addr web1.example.com:443 --name ece.example.com\""}, ""},
		{"site name with a quote is a literal", IISBinding{Host: "web1.example.com", Site: "ECE's site", Thumbprint: thumb},
			[]string{"$site = 'ECE''s site'", "if ('')"}, ""},
		{"bad thumbprint", IISBinding{Host: "web1.example.com", Thumbprint: "xyz"}, nil, "not 40 hex digits"},
		{"PFX path is a file name only", IISBinding{Host: "web1.example.com", Thumbprint: thumb, PFXFile: `..\x'.pfx`}, nil, "plain file name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := IISScript(tc.b)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("script lacks %q", w)
				}
			}
			// Windows PowerShell 5.1 reads BOM-less files as ANSI: keep it ASCII; Notepad wants CRLF.
			for i, r := range s {
				if r > 0x7e || r < 0x20 && r != '\r' && r != '\n' {
					t.Fatalf("non-ASCII %q at %d", r, i)
				}
			}
			if strings.Count(s, "\n") != strings.Count(s, "\r\n") {
				t.Fatal("not every line ends with CRLF")
			}
			// Every single-quoted literal must be closed on its line.
			for _, line := range strings.Split(s, "\r\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "#") {
					continue
				}
				if strings.Count(line, "'")%2 != 0 {
					t.Errorf("unbalanced quote: %s", line)
				}
			}
		})
	}
	if got := IISScriptName("Web1.Example.com"); got != "iis-binding-web1.example.com.ps1" {
		t.Fatalf("IISScriptName = %s", got)
	}
}
