package config

import (
	"strings"
	"testing"
	"time"
)

func TestFlightRecorderDefaults(t *testing.T) {
	for _, in := range []string{"", "flight_recorder: {enabled: true}"} {
		c, err := Parse([]byte(in), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		f := c.FlightRecorder
		if f.Dir != "/var/lib/gobfd/flightrec" || f.Window != Duration(5*time.Second) || f.MaxBytes != 16<<20 ||
			f.MinInterval != Duration(time.Minute) || f.MaxFiles != 10 {
			t.Errorf("%q: %+v", in, f)
		}
		if f.Enabled != (in != "") {
			t.Errorf("%q: enabled %v", in, f.Enabled)
		}
	}
	c, err := Parse([]byte("flight_recorder: {enabled: true, dir: /tmp/fr, window: 2s, max_bytes: 4194304, min_interval: 10s, max_files: 3}"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := FlightRecorder{Enabled: true, Dir: "/tmp/fr", Window: Duration(2 * time.Second), MaxBytes: 4 << 20,
		MinInterval: Duration(10 * time.Second), MaxFiles: 3}
	if c.FlightRecorder != want {
		t.Errorf("%+v", c.FlightRecorder)
	}
}

// Every problem names its key, the value and the reason.
func TestFlightRecorderValidation(t *testing.T) {
	cases := map[string]string{
		"flight_recorder: {dir: var/lib/gobfd}":  `flight_recorder.dir: "var/lib/gobfd" is not an absolute path`,
		"flight_recorder: {window: 100ms}":       `flight_recorder.window: "100ms" is outside 1s..10m0s`,
		"flight_recorder: {window: -5s}":         `flight_recorder.window: "-5s" is outside`,
		"flight_recorder: {max_bytes: 1000}":     `flight_recorder.max_bytes: "1000" is outside 1048576..1073741824`,
		"flight_recorder: {min_interval: 10ms}":  `flight_recorder.min_interval: "10ms" is below the 1s minimum`,
		"flight_recorder: {max_files: -1}":       `flight_recorder.max_files: "-1" is outside 1..10000`,
		"flight_recorder: {enable: true}":        `field enable not found`,
		"flight_recorder: {window: soon}":        `"soon" is not a duration`,
		"flight_recorder: {max_bytes: 16MiB}":    `cannot unmarshal`,
		"flight_recorder: {max_files: 20000000}": `flight_recorder.max_files: "20000000" is outside 1..10000`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), noEnv)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q:\n got %v\nwant …%s…", in, err, want)
		}
	}
}
