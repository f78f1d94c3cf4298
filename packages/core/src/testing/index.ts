// Conformance suites for plugin authors: each kind's suite runs against a factory of the plugin under test.
export {};
