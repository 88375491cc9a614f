package logdoctor

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A generated bundle shaped like ECE's maximum retention: per process the
// current log plus rotated .log.1 … .log.N of 5 MB each.
//
//	go test ./logdoctor -args -bench-bundle DIR -bench-files 50 -bench-mb 5
//
// scripts/bench-logs.sh does so and times ccewiz logs against grep on it.
var (
	benchBundle = flag.String("bench-bundle", "", "write a generated log bundle into `DIR` and exit")
	benchFiles  = flag.Int("bench-files", 50, "files in the generated bundle")
	benchMB     = flag.Int("bench-mb", 5, "size of each generated file in MB")
)

func TestMain(m *testing.M) {
	flag.Parse()
	if *benchBundle != "" {
		if err := writeBundle(*benchBundle, *benchFiles, *benchMB<<20); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var processes = []string{"ApplicationServer", "EAAS-process", "EAMS-process", "DSMController", "ProcessLauncher"}

func writeBundle(dir string, files, size int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(42, 7))
	for i := range files {
		proc := processes[i%len(processes)]
		name := "eg_log_ECEAPP_" + proc + ".log"
		if n := i / len(processes); n > 0 {
			name += fmt.Sprintf(".%d", n)
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		writeLog(w, rng, size, proc, 0.00005)
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

var (
	genLevels  = []string{"INFO", "INFO", "INFO", "DEBUG", "DEBUG", "ERROR", "WARN"}
	genClasses = []string{
		"com.egain.platform.framework.cluster.HazelcastManager", "com.egain.platform.module.routing.RoutingEngine",
		"com.egain.platform.module.security.sso.admin.LdapAuthenticator", "com.egain.platform.framework.dal.ConnectionPool",
		"com.egain.platform.module.mail.retriever.MailRetriever", "com.egain.platform.module.chat.ChatSessionManager",
		"com.egain.platform.module.cti.EAMSClient", "com.egain.platform.module.mr.EAASListener",
	}
	genMessages = []string{
		"Activity 104422 assigned to user 3011 in queue Service_Email",
		"Heartbeat from member ECESVC.example.local:5701 received in 3 ms",
		"Connection acquired from pool eGActiveDB (active=12, idle=28, max=100)",
		"Retrieved 0 messages from alias support@example.com via IMAP",
		"Chat session 88123 ended by customer; transcript saved",
		"MR PG request NEW_TASK dialogue 5519 routed to agent 5003 skill group 5010",
		"Query took 154 ms: SELECT activity_id, case_id FROM egpl_casemgmt_activity WHERE queue_id = ?",
		"Agent 5003 state change: AVAILABLE -> NOT_ACTIVE (reason code 32760)",
		"Cache refresh of department Service done in 48 ms",
		"Session validation for user pa in partition 1 succeeded",
	}
	genStack = []string{
		"\tat com.egain.platform.framework.dal.ConnectionPool.getConnection(ConnectionPool.java:311)",
		"\tat com.egain.platform.module.routing.RoutingEngine.route(RoutingEngine.java:1204)",
		"\tat java.base/java.lang.Thread.run(Thread.java:829)",
	}
	genHits = []string{
		"javax.net.ssl.SSLHandshakeException: sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
		"javax.naming.PartialResultException: Unprocessed Continuation Reference(s); remaining name 'DC=example,DC=com'",
		"javax.naming.AuthenticationException: [LDAP: error code 49 - 80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563]",
		"java.net.ConnectException: Connection refused: connect",
		"java.security.cert.CertificateException: No subject alternative DNS name matching ece.example.com found.",
	}
)

// writeLog writes about size bytes of ECE-shaped log lines; hitRate of the
// lines carry a known signature, as a real log under trouble would.
func writeLog(w io.Writer, rng *rand.Rand, size int, proc string, hitRate float64) {
	t := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var line bytes.Buffer
	written := 0
	for written < size {
		t = t.Add(time.Duration(rng.IntN(400)) * time.Millisecond)
		line.Reset()
		fmt.Fprintf(&line, "%s GMT+0000 <@> %s <@> [%d:ServerService Thread Pool -- %d] <@> ProcessId:5120 <@> PID:1 <@> UID:12 <@> HOST:ECEAPP <@> CLIENT:ECEAPP <@> %s <@> %s() <@> ",
			t.Format("2006-01-02 15:04:05.000"), genLevels[rng.IntN(len(genLevels))], 100+rng.IntN(400), rng.IntN(90),
			genClasses[rng.IntN(len(genClasses))], proc)
		if rng.Float64() < hitRate {
			line.WriteString(genHits[rng.IntN(len(genHits))])
		} else {
			line.WriteString(genMessages[rng.IntN(len(genMessages))])
		}
		line.WriteByte('\n')
		if rng.IntN(50) == 0 {
			for _, s := range genStack {
				line.WriteString(s)
				line.WriteByte('\n')
			}
			// A root cause deep in a stack trace: a line without its own time.
			if rng.Float64() < hitRate*50 {
				line.WriteString("Caused by: " + genHits[rng.IntN(len(genHits))] + "\n")
			}
		}
		n, _ := w.Write(line.Bytes())
		written += n
	}
}

// BenchmarkScan reports MB/s of the whole pipeline (chunking, search, line
// counting, timestamps) on one goroutine, as grep would run.
func BenchmarkScan(b *testing.B) {
	var buf bytes.Buffer
	writeLog(&buf, rand.New(rand.NewPCG(1, 1)), 32<<20, "ApplicationServer", 0.00005)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ScanReader(context.Background(), "eg_log_ECEAPP_ApplicationServer.log", bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatcher is the search alone.
func BenchmarkMatcher(b *testing.B) {
	var buf bytes.Buffer
	writeLog(&buf, rand.New(rand.NewPCG(1, 1)), 32<<20, "ApplicationServer", 0.00005)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		table().each(data, func(int, int) { n++ })
	}
}
