package certs

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// IISBinding describes the https binding the ECE web server needs.
type IISBinding struct {
	Host       string // the web server (FQDN) the script is for; names the script
	Name       string // the name SPOG reaches ECE by (the ECE FQDN, the certificate's CN); "" = Host
	Site       string // "" = Default Web Site
	Thumbprint string // SHA-1 hex of the certificate to bind (Thumbprint(cert))
	Subject    string // shown in messages
	// PFXFile is the PFX's file name, looked for beside the script; the
	// script imports it into Local Computer › Personal when the certificate
	// is not there yet (every web server but the one it was made on).
	PFXFile string
}

// DefaultSite is the IIS site ECE is installed under.
const DefaultSite = "Default Web Site"

var (
	reThumb    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-Fa-f]{40}$`) })
	reFileName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]+$`) })
)

// IISScriptName is the file name of the binding script for host.
func IISScriptName(host string) string {
	return "iis-binding-" + safeName(host) + ".ps1"
}

// FileBase is the file-name stem for a certificate named name:
// ece.example.com → ece.example.com, *.example.com → wildcard.example.com.
func FileBase(name string) string {
	return safeName(strings.Replace(strings.TrimSpace(name), "*", "wildcard", 1))
}

func safeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// psQuote makes s a PowerShell single-quoted literal, where only ' is special.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// oneLine keeps comment text from breaking out of its comment line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// IISScript writes the PowerShell (Windows PowerShell 5.1, as on Server
// 2016) that binds the certificate on the site: https, all unassigned
// addresses, port 443, empty host name, SslFlags 0. SPOG reaches ECE
// without SNI, so a binding that has a host name or requires SNI makes
// IIS present no (or another) certificate and SPOG fails: the script
// removes such bindings, or with -CheckOnly only reports them and exits 1.
// It is ASCII with CRLF line ends so Notepad and PowerShell 5.1 read it
// as written.
func IISScript(b IISBinding) (string, error) {
	site := b.Site
	if site == "" {
		site = DefaultSite
	}
	if !reThumb().MatchString(b.Thumbprint) {
		return "", fmt.Errorf("IIS script for %s: thumbprint %q is not 40 hex digits", b.Host, b.Thumbprint)
	}
	if b.PFXFile != "" && !reFileName().MatchString(b.PFXFile) {
		return "", fmt.Errorf("IIS script for %s: PFX file name %q must be a plain file name (letters, digits, . _ -)", b.Host, b.PFXFile)
	}
	host := oneLine(b.Host)
	name := oneLine(b.Name)
	if name == "" {
		name = host
	}
	r := strings.NewReplacer(
		"{{ECE}}", name,
		"{{NAME}}", IISScriptName(b.Host),
		"{{HOST}}", host,
		"{{SUBJECT}}", oneLine(b.Subject),
		"{{SITE}}", psQuote(site),
		"{{SITE_COMMENT}}", oneLine(site),
		"{{THUMB}}", psQuote(strings.ToUpper(b.Thumbprint)),
		"{{PFX}}", psQuote(b.PFXFile),
	)
	s := r.Replace(iisTemplate)
	return strings.ReplaceAll(s, "\n", "\r\n"), nil
}

const iisTemplate = `# {{NAME}} - written by ccewiz for the ECE web server {{HOST}}
#
# Binds the ECE certificate ({{SUBJECT}}) in IIS on site "{{SITE_COMMENT}}":
#   type https, IP address All Unassigned, port 443, host name EMPTY,
#   "Require Server Name Indication" NOT selected (SslFlags 0).
# SPOG (CCE Administration) connects to ECE without SNI: a binding with a
# host name, or one that requires SNI, makes that connection fail.
#
# Run on {{HOST}} in an elevated Windows PowerShell:
#   powershell -ExecutionPolicy Bypass -File .\{{NAME}}
# Only report, change nothing (exit code 1 when something is wrong):
#   powershell -ExecutionPolicy Bypass -File .\{{NAME}} -CheckOnly
#Requires -RunAsAdministrator
[CmdletBinding()]
param(
    [switch]$CheckOnly,
    # The PFX (certificate with private key), looked for beside this script.
    [string]$PfxPath = $(if ({{PFX}}) { Join-Path $PSScriptRoot {{PFX}} } else { '' })
)
$ErrorActionPreference = 'Stop'
Import-Module WebAdministration

$site = {{SITE}}
$thumbprint = {{THUMB}}
$port = 443
$problems = @()

# 1. The certificate must be in Local Computer > Personal, with its private key.
$cert = Get-Item -Path "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
if (-not $cert) {
    if ($CheckOnly -or -not $PfxPath) {
        $problems += "certificate $thumbprint is not in Local Computer > Personal; import the PFX"
    } else {
        if (-not (Test-Path -LiteralPath $PfxPath)) {
            throw "PFX $PfxPath not found; copy it beside this script or pass -PfxPath"
        }
        $pw = Read-Host -AsSecureString "Password of $PfxPath"
        # Exportable: with several web servers the PFX may be exported again from here.
        Import-PfxCertificate -FilePath $PfxPath -CertStoreLocation Cert:\LocalMachine\My -Password $pw -Exportable | Out-Null
        $cert = Get-Item -Path "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
        if (-not $cert) { throw "$PfxPath does not hold certificate $thumbprint; use the PFX ccewiz wrote for this certificate" }
        Write-Host "Imported $PfxPath into Local Computer > Personal"
    }
}
if ($cert -and -not $cert.HasPrivateKey) {
    throw "certificate $thumbprint has no private key on this server; import the PFX (not the .cer)"
}

# 2. https bindings on port $port with a host name or SNI: SPOG cannot use them.
$bad = @(Get-WebBinding -Name $site -Protocol https | Where-Object {
    $p = $_.bindingInformation -split ':'
    ($p[1] -eq "$port") -and (($p[2] -ne '') -or ([int]$_.sslFlags -ne 0))
})
foreach ($b in $bad) {
    $hostHeader = ($b.bindingInformation -split ':')[2]
    $why = "https binding '$($b.bindingInformation)' (SslFlags $($b.sslFlags)) has a host name or requires SNI"
    if ($CheckOnly) { $problems += $why; continue }
    Write-Host "Removing $why"
    $b | Remove-WebBinding
    if ($hostHeader -and (Test-Path "IIS:\SslBindings\!$port!$hostHeader")) {
        Remove-Item -Path "IIS:\SslBindings\!$port!$hostHeader"
    }
}

# 3. The binding ECE needs: All Unassigned, port $port, empty host name, SslFlags 0.
$good = Get-WebBinding -Name $site -Protocol https | Where-Object { $_.bindingInformation -eq "*:${port}:" -and [int]$_.sslFlags -eq 0 }
if (-not $good) {
    if ($CheckOnly) {
        $problems += "no https binding for All Unassigned, port $port, empty host name on '$site'"
    } else {
        New-WebBinding -Name $site -Protocol https -IPAddress '*' -Port $port -HostHeader '' -SslFlags 0
        Write-Host "Added https binding *:${port}: (no host name, no SNI) to '$site'"
    }
}

# 4. The certificate served on 0.0.0.0:$port.
$ssl = Get-Item -Path "IIS:\SslBindings\0.0.0.0!$port" -ErrorAction SilentlyContinue
if (-not $ssl -or $ssl.Thumbprint -ne $thumbprint) {
    if ($CheckOnly -or -not $cert) {
        $problems += "port $port serves certificate '$($ssl.Thumbprint)' instead of $thumbprint"
    } else {
        if ($ssl) { Remove-Item -Path "IIS:\SslBindings\0.0.0.0!$port" }
        $cert | New-Item -Path "IIS:\SslBindings\0.0.0.0!$port" | Out-Null
        Write-Host "Bound certificate $thumbprint to 0.0.0.0:$port"
    }
}

if ($problems.Count -gt 0) {
    foreach ($p in $problems) { Write-Warning $p }
    Write-Host "Not ready: run this script without -CheckOnly to fix the binding."
    exit 1
}
Write-Host "OK: '$site' has https *:${port}: (no host name, no SNI) with certificate $thumbprint."
Write-Host "Check from a PCCE ADS: ccewiz cert probe --addr {{HOST}}:443 --name {{ECE}}"
exit 0
`
