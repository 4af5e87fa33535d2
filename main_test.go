package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQuietLogsUnlessAsked(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want map[string]string
	}{
		"nothing asked: SDK and provider logs off": {
			env: map[string]string{},
			want: map[string]string{
				"TF_LOG_PROVIDER": "OFF", "TF_LOG_PROVIDER_VASTAL": "OFF",
				"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF",
			},
		},
		"TF_LOG set: untouched":               {env: map[string]string{"TF_LOG": "TRACE"}, want: map[string]string{"TF_LOG": "TRACE"}},
		"provider log asked: untouched":       {env: map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, want: map[string]string{"TF_LOG_PROVIDER": "DEBUG"}},
		"framework log asked: untouched":      {env: map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}, want: map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}},
		"only this provider asked: untouched": {env: map[string]string{"TF_LOG_PROVIDER_VASTAL": "INFO"}, want: map[string]string{"TF_LOG_PROVIDER_VASTAL": "INFO"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			quietLogsUnlessAsked(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if diff := cmp.Diff(tc.want, env); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
		})
	}
}
