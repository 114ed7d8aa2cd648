/**
 * The {@code olr} command line (picocli): {@link io.kafkaolr.cli.Main}, one {@code *Command} class
 * per subcommand, the option groups they share ({@code *Options}), and what {@code olr demo}
 * reports ({@code DemoReport}).
 */
package io.kafkaolr.cli;
