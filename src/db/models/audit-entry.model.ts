import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** One line of the audit log; `detail` is JSON text and never holds a credential. */
export class AuditEntry extends Model<InferAttributes<AuditEntry>, InferCreationAttributes<AuditEntry>> {
  declare id: CreationOptional<number>;
  declare at: Date;
  declare actor: string;
  declare action: string;
  declare app: string | null;
  declare target: string | null;
  declare ip: string | null;
  declare userAgent: string | null;
  declare outcome: string;
  declare detail: string | null;

  static initModel(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        at: { type: DataTypes.DATE, allowNull: false },
        actor: { type: DataTypes.STRING(255), allowNull: false },
        action: { type: DataTypes.STRING(64), allowNull: false },
        app: { type: DataTypes.STRING(63), allowNull: true },
        target: { type: DataTypes.STRING(255), allowNull: true },
        ip: { type: DataTypes.STRING(64), allowNull: true },
        userAgent: { type: DataTypes.STRING(255), allowNull: true },
        outcome: { type: DataTypes.STRING(32), allowNull: false },
        detail: { type: DataTypes.TEXT, allowNull: true },
      },
      { sequelize, tableName: 'audit_log', underscored: true, timestamps: false },
    );
  }
}
