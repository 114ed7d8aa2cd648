/**
 * The {@code olr} command line (picocli): {@link io.kafkaolr.cli.Main}, one {@code *Command} class
 * per subcommand, and the option groups they share ({@code *Options}).
 */
package io.kafkaolr.cli;
