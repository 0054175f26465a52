module github.com/sourced-dev/sourced

go 1.24

require (
	github.com/apache/arrow/go/v17 v17.0.0 // indirect
	github.com/gocarina/gocsv v0.0.0-20240520201108-78e41c74b4b1 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
